"""Emulator of Confluence's REST APIs: Cloud (v2, plus v1 where v2 has no equivalent) and Data Center (v1)."""
