"""The demo scenario library: five panic scenarios a support team scripts for new chat agents.

Each entry is set up to show one state the sync has to handle: fully approved, edited after approval,
pending legal review, owner revalidation due soon (overdue once the demo moves its clock on), and one with a
required field left empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoEntry:
    title: str
    keywords: tuple[str, ...]
    audience: str
    tone: str
    visual_style: str
    goal: str
    outcome: str
    steps: tuple[str, str, str, str, str]
    quick: dict[str, str]
    owner: str
    version: int
    reviews: dict[str, tuple[str, int | None]]
    lifecycle: str = "Active"
    revalidated_days_ago: int = 20
    shows: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    guidance: str = ""  # written in the page body, below the steps


NEW_AGENTS = "Chat agents in their first two weeks, answering live threads without a senior watching."
SCREEN = (
    "Screen recording of the support chat console at 1280x720. The agent's reply is typed letter by letter; "
    "key phrases appear as lower-third captions. Calm voice-over. No real names or logos."
)

DEMO_ENTRIES: list[DemoEntry] = [
    DemoEntry(
        title="Customer says a critical integration is down right now",
        keywords=("integration broken", "outage", "churn threat", "production down"),
        audience=NEW_AGENTS,
        tone="Steady and warm. Take the urgency seriously, promise only the next step.",
        visual_style=SCREEN,
        goal="Show a new agent how to take an 'it's all broken' message seriously without promising a fix time.",
        outcome=(
            "The customer knows who is looking at it and when they will hear back; tier-2 gets a clean "
            "hand-off with account, integration and error details."
        ),
        steps=(
            "\"That sounds like it's stopping your team's work, so let's treat it as urgent. "
            'Can you tell me which integration and roughly when it stopped?"',
            '"I\'m checking your connection logs and our incident board now, while we talk."',
            '"If this needs an engineer, tier-2 picks it up within 30 minutes and will call or message you '
            "directly. I can't give a fix time until they have looked.\"",
            "Production stopped for the customer: tag the thread 'Integration-P1' and hand it to tier-2 at once. "
            "Anything else: open a normal tier-2 ticket. Never quote a resolution time yourself.",
            "\"You're in the P1 queue now. Here is the status page link in case it's a wider incident; "
            "you'll hear from us within 30 minutes.\"",
        ),
        quick={
            "de_escalation_phrase": "That sounds like it's stopping your team's work, so let's treat it as urgent.",
            "immediate_action": "Check connection logs and the incident board; collect integration name and time.",
            "escalation_rule": "Production down: tag Integration-P1, tier-2 at once. Otherwise normal tier-2 ticket.",
            "timeline_expectation": "Tier-2 contact within 30 minutes; no fix time from the agent.",
            "tone_control": "Urgent but calm; no blame, no guesses about the cause.",
        },
        owner="Priya Raman",
        version=2,
        reviews={"legal": ("Approved", 2), "ops": ("Approved", 2), "product": ("Signed off", 2)},
        shows="fully approved",
        guidance=(
            "If the customer mentions a contract penalty or SLA credit, do not comment on it: note it in the "
            "hand-off and let the account manager answer."
        ),
    ),
    DemoEntry(
        title="Refund asked for outside the refund window",
        keywords=("refund outside window", "refund", "billing dispute"),
        audience=NEW_AGENTS,
        tone="Empathetic and firm. Explain the rule once, then move to what is possible.",
        visual_style=SCREEN,
        goal="Teach agents to decline an out-of-window refund without arguing, and to route real exceptions.",
        outcome="The customer hears a clear answer and the one route to an exception; no agent promises money.",
        steps=(
            '"I understand; paying for something you didn\'t use is frustrating. Let me look at the account."',
            '"I can see the charge from the 3rd. I can check whether a credit or plan change fits here."',
            "\"Refunds are possible within 30 days of a charge. This one is outside that, so I can't "
            'refund it myself, but billing reviews exceptions within two working days."',
            "Outside 30 days: offer the billing exception form; do not promise an outcome. Duplicate charge or "
            "legal threat: escalate to billing tier-2 the same day.",
            "\"I've sent the exception request to billing with your details. You'll get their answer by email "
            'within two working days."',
        ),
        quick={
            "de_escalation_phrase": "I understand; paying for something you didn't use is frustrating.",
            "immediate_action": "Check the charge date and plan; look for a credit or plan change that fits.",
            "escalation_rule": "Outside 30 days: exception form. Duplicate charge or legal threat: billing tier-2.",
            "timeline_expectation": "Billing answers exceptions within two working days.",
            "tone_control": "Kind, no apologising for the policy, no hints that the exception will pass.",
        },
        owner="Marcus Lindqvist",
        version=3,
        reviews={"legal": ("Approved", 2), "ops": ("Approved", 2), "product": ("Approved", 2)},
        shows="edited after approval (version 3, approvals for version 2)",
    ),
    DemoEntry(
        title="Customer asks for a feature we do not have",
        keywords=("feature request", "unsupported feature", "roadmap"),
        audience=NEW_AGENTS,
        tone="Curious and honest. No roadmap dates, no 'soon'.",
        visual_style=SCREEN,
        goal="Show how to log a feature request and offer a workaround without hinting at the roadmap.",
        outcome="The request is logged with the customer's use case, and the customer has something that works today.",
        steps=(
            '"Thanks for telling us what you\'re trying to do. Can you walk me through the use case?"',
            '"Today the closest thing is a scheduled export; I can show you how to set that up now."',
            "\"I've logged this for the product team with your example. I can't say if or when it will ship.\"",
            "Roadmap questions go to the product feedback form, never to a date. Enterprise accounts: copy "
            "the account manager on the request.",
            '"Your request is logged under your account, and you\'ll be told if its status changes."',
        ),
        quick={
            "de_escalation_phrase": "Thanks for telling us what you're trying to do.",
            "immediate_action": "Ask for the use case and offer the nearest workaround.",
            "escalation_rule": "Feedback form always; enterprise accounts also copy the account manager.",
            "timeline_expectation": "No dates: status changes are sent when they happen.",
            "tone_control": "Honest and helpful; never 'soon' or 'on the roadmap'.",
        },
        owner="Aiko Tanaka",
        version=1,
        reviews={"legal": ("In review", None), "ops": ("Approved", 1), "product": ("Approved", 1)},
        shows="pending legal review",
    ),
    DemoEntry(
        title="Customer escalates after an incomplete first answer",
        keywords=("mid-thread escalation", "incomplete answer", "second agent"),
        audience=NEW_AGENTS,
        tone="Accountable and concise. Own the gap without blaming a colleague.",
        visual_style=SCREEN,
        goal="Teach an agent who inherits a thread to recover trust after a colleague's partial answer.",
        outcome="The customer gets the complete answer or a named owner for it, and the thread is not bounced again.",
        steps=(
            "\"You're right that the earlier answer left part of your question open. I'm picking it up now.\"",
            '"I\'ve read the whole thread; I can answer the export question right away."',
            '"For the permissions part I need tier-2, and they reply within four working hours."',
            "A second escalation in the same thread goes to the shift lead, not back to the queue. Offer a "
            "callback when the customer has asked twice.",
            "\"I've kept this thread with me until tier-2 replies, so you won't have to explain it again.\"",
        ),
        quick={
            "de_escalation_phrase": "You're right that the earlier answer left part of your question open.",
            "immediate_action": "Read the whole thread; answer what you can at once.",
            "escalation_rule": "Second escalation: shift lead. Asked twice: offer a callback.",
            "timeline_expectation": "Tier-2 replies within four working hours.",
            "tone_control": "Own it, no blame, no over-apologising.",
        },
        owner="Tomás Herrera",
        version=4,
        reviews={"legal": ("Approved", 4), "ops": ("Approved", 4), "product": ("Approved", 4)},
        # Due in 10 days: published with a reminder to its owner; ten days on, overdue and archived.
        revalidated_days_ago=80,
        shows="owner revalidation due soon (last revalidated 80 days ago; window 90 days)",
    ),
    DemoEntry(
        title="Customer asks for account access or data the agent may not share",
        keywords=("account access", "sensitive data", "security", "verification"),
        audience=NEW_AGENTS,
        tone="Polite and procedural. Security rules are not negotiable.",
        visual_style=SCREEN,
        goal="Show the one safe path when someone asks for access to an account or data they may not have.",
        outcome="No data leaves without verification; the customer knows the verified route.",
        steps=(
            '"I understand you need to get into this account quickly."',
            '"I can send a verification link to the account owner\'s email on file right now."',
            '"Once the owner confirms, access is granted within one working day."',
            "",
            '"The link is on its way to the owner. Nothing changes on the account until they confirm."',
        ),
        quick={
            "de_escalation_phrase": "I understand you need to get into this account quickly.",
            "immediate_action": "Send the owner verification link; share nothing yourself.",
            "escalation_rule": "Any pressure to bypass verification: security team, same shift.",
            "timeline_expectation": "Access within one working day of the owner's confirmation.",
            "tone_control": "Courteous, procedural, no exceptions.",
        },
        owner="Priya Raman",
        version=1,
        reviews={"legal": ("Approved", 1), "ops": ("Approved", 1), "product": ("Approved", 1)},
        shows="a required field left empty (the escalation rule step)",
    ),
]
