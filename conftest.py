"""corsproof's fixtures and hooks live in corsproof/suite/plugin.py, so the engine owns how scenarios run."""

pytest_plugins = ["corsproof.suite.plugin"]
