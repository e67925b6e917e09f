"""The rule bot: fixed answers for the questions clients ask most, first match wins.

Rules are tried in the order of :data:`RULES` (that order is their priority:
asking for a human beats everything, a specific topic beats a general one).
A rule matches an intent, not a word: its pattern wants the topic *and* the kind of
question its answer serves ("what are my limits", not any message with "limit" in
it), and a rule with a fixed or looked-up answer steps aside when the message asks
something that answer does not cover: why something happens, whether something is
wrong, what a term means or how two things differ ("Why is my heat pump over the
limit so often? Is it broken?", "kW vs kWh on my bill"). Those go to the assistant.
Patterns match whole words or whole messages, never substrings, so "this" does not
greet and "history" is not "hi". Rules about the user's own numbers answer with real
figures from :class:`~.user_facts.UserFacts`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .user_facts import UserFacts


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    # None: the rule hands the conversation to a human instead of answering
    answer: Callable[[UserFacts], str] | None
    # a message that also matches this asks more than the answer covers
    unless: re.Pattern | None = None

    @property
    def hands_off(self) -> bool:
        return self.answer is None

    def serves(self, text: str) -> bool:
        return bool(self.pattern.search(text)) and not (
            self.unless is not None and self.unless.search(text)
        )


def words(alternatives: str) -> str:
    """Any of ``"a|b|c d"`` as whole words; a space inside a phrase is any whitespace."""
    return r"\b(?:" + alternatives.replace(" ", r"\s+") + r")\b"


def whole(alternatives: str) -> str:
    """The whole message is one of these (with an optional "bot"/"there", punctuation)."""
    return r"^\W*" + words(alternatives) + r"(?:\W+(?:bot|there|team|all|again))?[\W_]*$"


def _compile(*parts: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE)


def near(first: str, second: str) -> str:
    """Both, in either order, within one sentence."""
    return rf"{first}[^.?!]*{second}|{second}[^.?!]*{first}"


# What a fixed or looked-up answer cannot serve: causes, diagnoses, meanings, comparisons.
BEYOND = _compile(
    words("why|how come|what causes|reason|cause|caused"),
    words(
        "broken|faulty|defective|malfunction(?:s|ing)?|wrong|normal|strange|weird|odd|suspicious"
    ),
    words("explain|explanation|mean|means|meaning|difference|differ|vs|versus|compare|compared"),
    words("should i|would it|is it worth|recommend|better to|instead of"),
)

# The quantities a consumption question asks for.
AMOUNT = words(
    "use|used|using|usage|consumption|consumed|consume|kwh|how much|energy|electricity|figures?"
)


def _kwh(value) -> str:
    return f"{float(value or 0):.2f} kWh"


# answers with the user's figures ------------------------------------------------------

NO_DEVICES = (
    "No meter is assigned to you yet. An administrator assigns meters to accounts; "
    'write "talk to a human" if one is missing.'
)


def _per_device(facts: UserFacts, totals: dict[str, float]) -> str:
    parts = [f"{d['name']} {_kwh(totals.get(d['id']))}" for d in facts.devices]
    overall = sum(float(totals.get(d["id"]) or 0) for d in facts.devices)
    return f"{', '.join(parts)}; {_kwh(overall)} in all"


def answer_devices(facts: UserFacts) -> str:
    if not facts.devices:
        return NO_DEVICES
    listed = ", ".join(
        f"{d['name']} (limit {_kwh(d['max_hourly_kwh'])} per hour)" for d in facts.devices
    )
    count = len(facts.devices)
    return f"You have {count} meter{'s' if count > 1 else ''}: {listed}."


def answer_today(facts: UserFacts) -> str:
    if not facts.devices:
        return NO_DEVICES
    return f"So far today ({facts.today.isoformat()}): {_per_device(facts, facts.today_kwh)}."


def answer_yesterday(facts: UserFacts) -> str:
    if not facts.devices:
        return NO_DEVICES
    totals = facts.yesterday_kwh
    return f"Yesterday ({facts.yesterday.isoformat()}): {_per_device(facts, totals)}."


def answer_limits(facts: UserFacts) -> str:
    if not facts.devices:
        return NO_DEVICES
    limits = ", ".join(f"{d['name']} {_kwh(d['max_hourly_kwh'])} per hour" for d in facts.devices)
    return (
        f"Your hourly limits: {limits}. When a meter uses more than its limit within one hour "
        "you get an alert at once. Only an administrator can change a limit."
    )


def answer_alerts(facts: UserFacts) -> str:
    alerts = facts.alerts
    if not alerts:
        return "You have no alerts: none of your meters has gone over its hourly limit."
    latest = alerts[0]
    zone = ZoneInfo(facts.profile.get("timezone") or "UTC")
    hour = datetime.fromisoformat(latest["hour_start"]).astimezone(zone)
    open_count = sum(1 for alert in alerts if alert.get("acknowledged_at") is None)
    return (
        f"Your latest alert: {facts.device_name(latest['device_id'])} used "
        f"{_kwh(latest['total_kwh'])} in the hour from {hour:%Y-%m-%d %H:%M} "
        f"(limit {_kwh(latest['limit_kwh'])}). Of your {len(alerts)} most recent alerts, "
        f"{open_count} {'is' if open_count == 1 else 'are'} not acknowledged yet; "
        "acknowledge them on the Alerts page."
    )


def answer_offline(facts: UserFacts) -> str:
    if not facts.devices:
        return NO_DEVICES
    silent = [d["name"] for d in facts.devices if not facts.online.get(d["id"], False)]
    if not silent:
        return "All your meters are reporting normally."
    return (
        f"Not reporting at the moment: {', '.join(silent)}. Readings arrive every 10 minutes; "
        'if a meter stays silent for hours, write "talk to a human" and we will check it.'
    )


def _fixed(text: str) -> Callable[[UserFacts], str]:
    return lambda facts: text


HELP = (
    "I can tell you about your meters, today's and yesterday's consumption, your hourly "
    "limits and alerts, and how the charts work. For anything else, just ask; write "
    '"talk to a human" to reach an administrator.'
)

RULES: list[Rule] = [
    Rule(
        "human",
        _compile(
            words("human|humans|agent|operator|representative|real person|live person"),
            words("talk|speak|chat|write")
            + r"\s+(?:to|with)\s+(?:a|an|the|some)?\s*"
            + words("person|someone|somebody|admin|administrator|staff|support"),
        ),
        None,
    ),
    Rule(
        "greeting",
        _compile(whole("hi|hello|hey|hiya|good morning|good afternoon|good evening|greetings")),
        _fixed("Hello! " + HELP),
    ),
    Rule(
        "thanks",
        _compile(whole("thanks|thank you|thx|cheers|great thanks|ok thanks")),
        _fixed("You're welcome! Anything else about your meters or consumption?"),
    ),
    Rule(
        "goodbye",
        _compile(whole("bye|goodbye|bye bye|see you|that's all|have a nice day")),
        _fixed("Goodbye! Write here any time; the conversation stays open for you."),
    ),
    Rule(
        "help",
        _compile(whole("help|menu|options|commands"), words("what can you do")),
        _fixed(HELP),
    ),
    Rule(
        "saving tips",
        _compile(
            near(
                words("save|saving|reduce|lower|cut|use less"),
                words("consumption|usage|energy|electricity|bill|costs?"),
            ),
            words("energy saving tips?|saving tips?|tips? (?:to|for) sav(?:e|ing)"),
        ),
        _fixed(
            "A few things that help: run washing machines and dishwashers outside the evening "
            "peak, switch devices off rather than to standby, and watch the hourly chart for "
            "the hours that stand out; they show which habits cost the most."
        ),
        unless=_compile(words("why|how come|broken|faulty")),
    ),
    Rule(
        "account",
        _compile(
            near(
                words("change|reset|forgot|forgotten|update|edit|set my|where|how (?:do|can) i"),
                words("password|username|e-?mail|profile|time zone|timezone|name|account|details"),
            ),
            words("can'?t|cannot|unable to") + r"\s+" + words("log in|login|sign in"),
        ),
        _fixed(
            "Your name, email, time zone and password are on the Profile page (top right). "
            "A new password needs your current one. If you cannot sign in at all, an "
            'administrator can set a new password for you: write "talk to a human".'
        ),
        unless=BEYOND,
    ),
    Rule(
        "billing",
        _compile(
            words("bills?|billing|invoices?|payments?|refund"),
            near(words("pay|paid|charged"), words("for|my|the|electricity")),
        ),
        _fixed(
            "This platform measures consumption; it does not send bills. Your invoice comes from "
            "your electricity supplier, who reads the same meters. For a billing question, "
            'write "talk to a human" and an administrator will look at your readings.'
        ),
        # a wrong invoice is the supplier's; what a term or a price means is the assistant's
        unless=_compile(
            words("why|how come|explain|mean|means|meaning|difference|vs|versus|compare"),
            words("kw|kwh|kilowatts?|tariffs?|prices?"),
        ),
    ),
    Rule(
        "alerts",
        _compile(
            near(
                words("what|which|when|show|list|any|have i|did i|my|latest|last|recent"),
                words("alerts?|alarms?|warnings?|notifications?"),
            ),
            whole("alerts|my alerts"),
        ),
        answer_alerts,
        # "why did I get an alert?" is answered by the latest one (which hour, how far
        # over); a pattern of alerts, or what to do about them, is not
        unless=_compile(
            words("broken|faulty|normal|wrong|explain|mean|means|difference|vs|versus"),
            words("turn off|switch off|disable|stop|too many|settings?|keep getting|so often"),
            words("every (?:day|night|evening|morning)|always"),
        ),
    ),
    Rule(
        "limits",
        _compile(
            near(
                words("what|which|how high|how much|show|tell me|list|my|the"),
                words("limits?|thresholds?|maximum"),
            ),
            whole("limits|my limits|limit"),
        ),
        answer_limits,
        unless=_compile(
            BEYOND.pattern,
            words("over|above|exceed(?:s|ed|ing)?|went over|go over|raise|increase|change|often"),
        ),
    ),
    Rule(
        "charts",
        _compile(
            near(
                words("how|where|can i|read|use|open|see"),
                words("charts?|graphs?|plots?|diagrams?"),
            ),
            near(words("csv|export|download"), words("how|where|can i|my|data|readings|figures")),
        ),
        _fixed(
            "Open Consumption, pick a meter and a day: each bar is one hour of that day in your "
            "time zone (23 or 25 bars on daylight-saving days), the line is the meter's hourly "
            "limit. Switch to days or months for longer periods; CSV downloads the same figures."
        ),
        unless=_compile(BEYOND.pattern, words("spike|peak|jump|drop|gap|missing")),
    ),
    Rule(
        "yesterday",
        _compile(
            near(words("yesterday(?:'s)?"), AMOUNT),
            whole("yesterday|and yesterday|what about yesterday|how about yesterday"),
        ),
        answer_yesterday,
        unless=BEYOND,
    ),
    Rule(
        "offline",
        _compile(
            words("offline|not (?:reporting|sending|updating)|stopped (?:reporting|sending)"),
            near(words("no|missing"), words("data|readings")),
            near(words("are|is"), words("(?:my )?(?:meters?|devices?) online")),
        ),
        answer_offline,
        unless=_compile(words("why|how come|what causes|reason")),
    ),
    Rule(
        "today",
        _compile(
            near(
                words("today(?:'s)?|so far|this (?:morning|afternoon|evening)|right now"),
                AMOUNT,
            ),
            words("how much") + r"[^.?!]*" + words("(?:have|did) i (?:use|used|consume|consumed)"),
            whole("usage|consumption|my usage|my consumption|today"),
        ),
        answer_today,
        unless=_compile(BEYOND.pattern, words("yesterday|last (?:week|month|year)|compare")),
    ),
    Rule(
        "devices",
        _compile(
            near(
                words("which|what|list|show|how many|do i have|registered|assigned"),
                words("devices?|meters?|sensors?"),
            ),
            whole("devices|meters|my devices|my meters"),
        ),
        answer_devices,
        unless=_compile(
            BEYOND.pattern, words("display|shows?|showing|reads?|reading|install|replace|move")
        ),
    ),
]


def match(text: str) -> Rule | None:
    """The first rule, in priority order, that serves ``text``; ``None``: the assistant's."""
    return next((rule for rule in RULES if rule.serves(text)), None)
