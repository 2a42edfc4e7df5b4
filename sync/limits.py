"""Every rate and size limit of the two APIs, in one place (see the project's reference on API limits).

The sync's limiters and the sandbox emulators both read these, so the two never disagree.
"""

from __future__ import annotations

# --- Notion -----------------------------------------------------------------------------------------
# A fixed budget of requests per connection per 60-second window, spendable at any pace. 180 on most plans,
# 600 on Business and Enterprise; a 429's Retry-After is the time to the window's reset (at most 60 s).
NOTION_WINDOW_S = 60.0
# The client waits this much past its own window: the server's window starts as the first request arrives.
NOTION_WINDOW_MARGIN_S = 1.0
NOTION_PER_MINUTE = 180
NOTION_PER_MINUTE_BUSINESS = 600
NOTION_PLANS = {"standard": NOTION_PER_MINUTE, "business": NOTION_PER_MINUTE_BUSINESS}
# Which limit a 429 says was hit (`additional_data.rate_limit_reason`); any other value is handled alike.
NOTION_CONNECTION_LIMIT_REASON = "connection_limit"
NOTION_PAGE_SIZE = 100  # items per page of any Notion listing, and per request array
NOTION_MAX_TEXT = 2000  # characters in one rich-text content
NOTION_MAX_URL = 2000
NOTION_MAX_ARRAY = 100  # multi-select options, people, relations, children per append
NOTION_MAX_BLOCKS_PER_REQUEST = 1000
NOTION_FILE_URL_TTL_S = 3600  # Notion-hosted file URLs expire after an hour
# Page bodies are read a few at a time: concurrency beyond this only queues behind the shared budget.
NOTION_BODY_CONCURRENCY = 4

# --- Confluence -------------------------------------------------------------------------------------
# Cloud's burst limits for API-token traffic are not published; Data Center's are off unless an admin sets
# them. Keep a handful of requests in flight (4, however many pages are on their way) and honour Retry-After;
# the rate is what 4 in flight at 200 ms reach, so it caps a fast site without slowing the usual one.
CONFLUENCE_IN_FLIGHT = 4
CONFLUENCE_RATE, CONFLUENCE_BURST = 20.0, 20
# The sandbox's Confluence allows twice the sync's burst at the same rate, so a well-behaved sync, whose bucket
# never holds more than the sandbox's, is never refused there.
SANDBOX_CONFLUENCE_RATE, SANDBOX_CONFLUENCE_BURST = 20.0, 40

# --- What an entry may hold, so later stages can carry it ------------------------------------------
MAX_TITLE = 255  # a Confluence page title
MAX_KEYWORDS = 30  # trigger keywords, each a label on the page
MAX_KEYWORD = 100  # characters in one keyword (labels are cut at 255; keywords are phrases)
MAX_STEP = 600  # one step is narrated in one 15-20 s clip; 600 characters is already a fast read
MAX_FIELD = 20_000  # any other text field (ten full Notion rich-text items)
