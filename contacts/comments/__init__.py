"""Readers' comments under articles: the form, the moderation rules and queue, the public section."""
