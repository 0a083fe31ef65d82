"""corsproof's pytest plugin for its own suite, in parts, each a module whose name says it.

pytest-playwright provides the browser CLI and fixtures; corsproof decides which browser
executable runs with which cookie profile, plans the selected scenarios into groups
(corsproof/suite/engine.py) and records what each browser did as the report's cells.
"""

pytest_plugins = [
    "corsproof.suite.options",  # the run's options and settings
    "corsproof.suite.selection",  # which tests run, in what order and shard
    "corsproof.suite.browser_fixtures",  # a browser per browser and profile; a lane's context and page
    "corsproof.suite.aged_lane",  # the slow scenarios' contexts, ageing as the run goes
    "corsproof.suite.fixtures",  # what a test asks for: sites, scenarios, pages, login, probes
    "corsproof.report.collect",  # every browser test as a cell of the report
]
