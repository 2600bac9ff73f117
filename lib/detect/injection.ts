import { normalizeForScan } from "./normalize-text";

export interface InjectionMatch {
  rule: string;
  phrase: string;
}

const MAX_PHRASE = 80;

// Rules read normalizeForScan output (lower case, single spaces), so a literal space stands for any
// whitespace; every quantifier is bounded, which keeps a scan linear in the length of the text.
const DETERMINERS = /(?:(?:all|any|every|each|of|the|these|those|my|your) ){0,4}/.source;
const EARLIER = /(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial)/.source;
const ORDERS = /(?:instructions?|prompts?|rules|directions?|directives?|commands|guidelines|guidance|constraints|programming)\b/.source;
const RESTRICTIONS = /(?:restrictions|rules|limits|limitations|filters|guidelines|boundaries|constraints|guardrails|censorship)\b/.source;

const SECRET_ADJECTIVE = /(?:full|entire|complete|exact|verbatim|original|initial|hidden|secret)/.source;

const HARMLESS_AFTER_YOU_ARE_NOW = [
  /(?:logged|signed|connected|subscribed|unsubscribed|registered|ready|able|eligible|set up|all set|being redirected|redirected)\b/,
  /in charge\b|in (?:the )?(?:queue|line|waiting room|lobby|chat|call|meeting|room|conference|session)\b/,
  /in (?:dark|light|offline|online|read-only|safe|edit|editing|view|viewing|presentation|maintenance|focus|full-?screen|silent|airplane|guest|incognito|private|compact|test|demo) mode\b/,
  /(?:a|an|the) (?:(?:registered|verified|premium|pro|new|trusted|valued|proud) )?(?:member|subscriber|participant|customer|user|follower|contributor|collaborator|co-?host|host|presenter|owner|editor|viewer|moderator|admin|administrator|part)\b/,
]
  .map((re) => re.source)
  .join("|");

// A "do not ignore previous instructions" is advice, not an attack.
const NOT_NEGATED = String.raw`(?<!(?:\bnot|\bnever|n['’]?t) [a-z]{1,12})`;

const RULES: readonly (readonly [rule: string, source: string])[] = [
  [
    "disregard_system_prompt",
    String.raw`\b(?:ignore|disregard|forget|bypass)${NOT_NEGATED} ${DETERMINERS}(?:${EARLIER} )?system (?:prompt|message|instructions)\b`,
  ],
  ["ignore_previous_instructions", String.raw`\bignore${NOT_NEGATED} ${DETERMINERS}${EARLIER} (?:(?:system|safety|developer|given|stated) )?${ORDERS}`],
  [
    "disregard_instructions",
    String.raw`\bdisregard${NOT_NEGATED} ${DETERMINERS}(?:(?:${EARLIER}|existing|current) )?(?:(?:system|safety|developer) )?${ORDERS}`,
  ],
  [
    "forget_instructions",
    String.raw`\bforget${NOT_NEGATED} (?:(?:all|about|of|the|everything) ){0,3}(?:your (?:(?:${EARLIER}|existing|current) )?|${EARLIER} )${ORDERS}|\bforget${NOT_NEGATED} everything (?:above|before|you(?: were| have been|['’]ve been) told)\b`,
  ],
  [
    "do_not_follow_rules",
    String.raw`\b(?:do not|don['’]?t|stop) follow(?:ing)? ${DETERMINERS}(?:(?:${EARLIER}|usual) )?(?:rules|instructions|guidelines|policies|restrictions|system prompt)\b`,
  ],
  [
    "override_safety",
    String.raw`\b(?:override|bypass)${NOT_NEGATED} (?:(?:the|your|all|any|my) )?(?:system|safety|content|security|moderation) (?:prompts?|filters?|polic(?:y|ies)|settings|guidelines|rules|restrictions|instructions|guardrails|protocols)\b`,
  ],
  [
    "no_restrictions",
    String.raw`\b(?:act|behave|respond|answer|pretend|imagine) (?:as (?:if|though) |that )?you (?:have|had|are|were) (?:no |not bound by (?:any )?|free (?:of|from) (?:all |any )?|without (?:any )?)${RESTRICTIONS}`,
  ],
  [
    "you_are_now",
    String.raw`\byou are now (?!${HARMLESS_AFTER_YOU_ARE_NOW})(?:a|an|the|in|my|dan|no longer|free (?:of|from)|unrestricted|unfiltered|uncensored|jailbroken|going to (?:act|pretend|be)|acting as|playing|called|named|known as)\b(?: [a-z0-9'’-]{1,24}){0,2}`,
  ],
  ["dan_mode", String.raw`\bdan (?:mode|jailbreak|prompt)\b`],
  ["developer_mode", String.raw`\bdeveloper mode ?[:=]? ?(?:is )?(?:now )?(?:enabled|activated|active|engaged|unlocked|on(?! ?[a-z0-9]))`],
  ["jailbreak", String.raw`\bjailbreak\b`],
  [
    "reveal_system_prompt",
    String.raw`\b(?:reveal|print|repeat|show|output|display|leak|dump|recite|tell|give)(?: me| us)? (?:all (?:of )?)?your (?:${SECRET_ADJECTIVE} ){0,2}(?:system (?:prompt|message|instructions)|instructions|prompt)\b` +
      String.raw`|\b(?:reveal|print|repeat|output|leak|dump|recite)(?: me| us)? (?:all (?:of )?)?the (?:${SECRET_ADJECTIVE} ){0,2}system (?:prompt|message)\b` +
      String.raw`|\bwhat (?:is|are|were) your (?:system prompt|(?:${EARLIER} |hidden |secret )?instructions)\b`,
  ],
  ["new_instructions", String.raw`\b(?:new|updated) (?:system )?instructions? ?:`],
  ["inst_tag", String.raw`\[ ?/?inst ?\]`],
  ["sys_tag", "<< ?/?sys ?>>"],
  ["system_tag", "< ?/?system ?>"],
  ["chatml_system", String.raw`<\|(?:im_start\|> ?system|system\|>|start_header_id\|> ?system)`],
  ["fake_role_turn", String.raw`\b(?:human|user) ?: ?pretend\b|\bassistant ?: ?certainly\b`],
];

const INJECTION = new RegExp(RULES.map(([rule, source]) => `(?<${rule}>${source})`).join("|"));

/** The first known prompt-injection phrasing in `text`, quoted from its normalised form. */
export function detectInjection(text: string): InjectionMatch | null {
  const match = INJECTION.exec(normalizeForScan(text));
  if (!match) return null;
  const groups = match.groups ?? {};
  const rule = RULES.find(([name]) => groups[name] !== undefined)?.[0] ?? "unknown";
  return { rule, phrase: match[0].slice(0, MAX_PHRASE) };
}
