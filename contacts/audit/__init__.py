"""The audit trail of patients' messages: who looked at or changed which message, and when."""
