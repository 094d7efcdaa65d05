"""Staff notifications: the outbox of emails to staff (`models.Notification`, sent by `outbox`)."""
