"""The three FastAPI sites of corsproof (good, thirdparty, evil) and what runs them."""
