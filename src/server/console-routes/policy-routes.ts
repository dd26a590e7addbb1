/** IT's routes for the school's base policy: read the one in force, and publish a new one (a new version with every approval still in it). */

import type { FastifyInstance } from 'fastify';
import { currentBase } from '../approval-records';
import { parseBasePolicy } from '../approvals/base-policy';
import { policyDocumentText } from '../approvals/policy-text';
import { basePolicyAnswer, basePolicyBody, setBasePolicyAnswer } from '../console-protocol';
import { HttpError } from '../http/http-error';
import { addRoute } from '../http/route';
import { answering, contract, deciderOf, type ConsoleRouteContext } from './route-kit';

export function policyRoutes(app: FastifyInstance, context: ConsoleRouteContext): void {
  const { db, approvals } = context;

  addRoute(app, {
    ...contract('getBasePolicy'),
    summary: "The school's base policy in force (mode, default target, base rules, other devices, idle), as the JSON text setBasePolicy takes",
    answer: basePolicyAnswer,
    async handle() {
      const { base, version } = await currentBase(db);
      return { text: policyDocumentText(base), version };
    },
  });

  addRoute(app, {
    ...contract('setBasePolicy'),
    summary: 'Publish a new base policy: the next version has it and every approval still in force; a base that is not valid changes nothing',
    body: basePolicyBody,
    answer: setBasePolicyAnswer,
    async handle({ body, session }) {
      const base = parseBasePolicy(body.text, 'text');
      if (!base.ok) throw new HttpError(400, base.error.replace(/\n/g, '; '));
      return answering(approvals.publishBase(base.value, deciderOf(session)));
    },
  });
}
