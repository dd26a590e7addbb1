/** The policy a PC has before the school gives it one: keep it usable, allow nothing else without SLT approval. */

export const DEFAULT_RULES_FILE = '<built-in default policy>';

export const DEFAULT_RULES = `# Portcullis built-in default policy.
# Hubs, whose every interface is a hub interface.
allow with-interface match-all { 09:00:* }
# Keyboards, mice and other input devices that are nothing else (a stick that also types is not).
allow with-interface match-all { 03:*:* }
# Everything else (storage, phones, cameras, network adapters...) needs SLT approval: the implicit target blocks it.
`;
