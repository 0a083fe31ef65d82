"""corsproof audit: attack a user's own app from real browsers, under real look-alike origins."""
