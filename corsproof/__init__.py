"""corsproof: prove, in real browsers, what CORS and cookies allow."""
