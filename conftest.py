"""corsproof's fixtures and hooks live in corsproof/plugin.py, so the engine owns how scenarios run."""

pytest_plugins = ["corsproof.plugin"]
