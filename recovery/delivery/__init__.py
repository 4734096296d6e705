"""Delivery to a helpdesk: which endpoints want an event (`routes`), how a body is signed
(`signing`), and the courier that posts the outbox with retries (`courier`)."""
