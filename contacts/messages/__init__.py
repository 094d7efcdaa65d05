"""Patients' messages to the counselors: the form, its arrival, the counselors' triage and timeline."""
