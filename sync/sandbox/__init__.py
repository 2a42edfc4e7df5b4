"""Local emulators of the Notion and Confluence HTTP APIs, for tests, the demo and the benchmark."""
