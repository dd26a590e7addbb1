/** The vocabulary of the idle state machine: its states, the inputs a driver feeds it, and the actions and events it answers with. */

/** What the controller believes about this session; `logged-off` is final. */
export type IdleState = 'active' | 'lock-warning' | 'locked' | 'logoff-warning' | 'logged-off' | 'asleep';

export type IdleActionType = 'lock' | 'logoff';

/** Everything that happens to a session, each stamped with the instant it happened (`at`, epoch ms). */
export type IdleInput =
  /** The OS says no input for `idleMs`, measured at `at`. */
  | { type: 'idle-sample'; at: number; idleMs: number }
  /** Time passed (the driver calls at `nextDeadline()`). */
  | { type: 'tick'; at: number }
  /** The "I'm still here" button: one simple action extends (WCAG 2.2.1). */
  | { type: 'still-here'; at: number }
  /** The session became locked (by the user, or our lock took effect). */
  | { type: 'locked'; at: number }
  /** The user unlocked. */
  | { type: 'unlocked'; at: number }
  | { type: 'suspend'; at: number }
  | { type: 'resume'; at: number }
  /** Fast user switching: false = another session is on screen. */
  | { type: 'session-switch'; at: number; active: boolean }
  | { type: 'presenting-on'; at: number; forMs: number }
  | { type: 'presenting-off'; at: number }
  | { type: 'action-failed'; at: number; action: IdleActionType; error: string };

export interface IdleAction {
  type: IdleActionType;
}

export type IdleEvent =
  | { type: 'state'; at: number; from: IdleState; to: IdleState }
  | { type: 'warning'; at: number; action: IdleActionType; deadline: number }
  | { type: 'warning-dismissed'; at: number; action: IdleActionType; by: 'input' | 'still-here' }
  /** Idle and unlocked this long when we lock. */
  | { type: 'locking'; at: number; idleMs: number }
  | { type: 'logging-off'; at: number; lockedForMs: number }
  | { type: 'presenting-started'; at: number; until: number }
  | { type: 'presenting-ended'; at: number; reason: 'user' | 'limit' }
  | { type: 'presenting-refused'; at: number; reason: string }
  /** Emitted once, by the first `handle()`. */
  | { type: 'exempt'; at: number; reason: string }
  | { type: 'action-failed'; at: number; action: IdleActionType; error: string; retryAt: number };

/** What one input led to: actions for the driver to carry out, and events for the log and the tray. */
export interface IdleStep {
  actions: IdleAction[];
  events: IdleEvent[];
}

/** For status displays: the state, the pending warning's action and deadline, presenting until. */
export interface IdleSnapshot {
  state: IdleState;
  warning?: { action: IdleActionType; deadline: number };
  presentingUntil?: number;
}
