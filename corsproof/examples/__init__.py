"""Apps with realistic CORS mistakes, shipped so that the audit can be tried from an install."""
