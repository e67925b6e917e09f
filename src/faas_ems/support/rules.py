"""The rule bot: fixed answers for the questions clients ask most, first match wins.

Rules are tried in the order of :data:`RULES` (that order is their priority:
asking for a human beats everything, a specific topic beats a general one).
Patterns match whole words or whole messages, never substrings, so "this"
does not greet and "history" is not "hi". Rules about the user's own numbers
answer with real figures from :class:`~.user_facts.UserFacts`.
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

    @property
    def hands_off(self) -> bool:
        return self.answer is None


def words(alternatives: str) -> str:
    """Any of ``"a|b|c d"`` as whole words; a space inside a phrase is any whitespace."""
    return r"\b(?:" + alternatives.replace(" ", r"\s+") + r")\b"


def whole(alternatives: str) -> str:
    """The whole message is one of these (with an optional "bot"/"there", punctuation)."""
    return r"^\W*" + words(alternatives) + r"(?:\W+(?:bot|there|team|all|again))?[\W_]*$"


def _compile(*parts: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE)


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
            words("save|saving|reduce|lower|cut")
            + r".*"
            + words("consumption|usage|energy|electricity|bill|costs?"),
            words("tips?"),
        ),
        _fixed(
            "A few things that help: run washing machines and dishwashers outside the evening "
            "peak, switch devices off rather than to standby, and watch the hourly chart for "
            "the hours that stand out; they show which habits cost the most."
        ),
    ),
    Rule(
        "account",
        _compile(
            words(
                "password|log in|login|sign in|account|username|e-?mail|profile|time zone|timezone"
            )
        ),
        _fixed(
            "Your name, email, time zone and password are on the Profile page (top right). "
            "A new password needs your current one. If you cannot sign in at all, an "
            'administrator can set a new password for you: write "talk to a human".'
        ),
    ),
    Rule(
        "billing",
        _compile(words("bills?|billing|invoices?|prices?|tariffs?|payments?|pay|paid|refund")),
        _fixed(
            "This platform measures consumption; it does not send bills. Your invoice comes from "
            "your electricity supplier, who reads the same meters. For a billing question, "
            'write "talk to a human" and an administrator will look at your readings.'
        ),
    ),
    Rule(
        "alerts",
        _compile(words("alerts?|alarms?|warnings?|notifications?|notified|warned")),
        answer_alerts,
    ),
    Rule("limits", _compile(words("limits?|thresholds?|maximum|max")), answer_limits),
    Rule(
        "charts",
        _compile(words("charts?|graphs?|plots?|diagrams?|csv|export|download")),
        _fixed(
            "Open Consumption, pick a meter and a day: each bar is one hour of that day in your "
            "time zone (23 or 25 bars on daylight-saving days), the line is the meter's hourly "
            "limit. Switch to days or months for longer periods; CSV downloads the same figures."
        ),
    ),
    Rule("yesterday", _compile(words("yesterday(?:'s)?")), answer_yesterday),
    Rule(
        "offline",
        _compile(words("offline|online|not (?:reporting|sending|updating)|no (?:data|readings)")),
        answer_offline,
    ),
    Rule(
        "today",
        _compile(
            words("today(?:'s)?|so far|this (?:morning|afternoon|evening)|consumption|consumed")
            + "|"
            + words("usage|kwh|how much")
        ),
        answer_today,
    ),
    Rule("devices", _compile(words("devices?|meters?|sensors?")), answer_devices),
]


def match(text: str) -> Rule | None:
    """The first rule, in priority order, whose pattern is found in ``text``."""
    return next((rule for rule in RULES if rule.pattern.search(text)), None)
