"""Intervision has no admin pages, on purpose.

The group's record (who attended, the round's roles, who drafted and agreed a
summary) belongs to the group: admins see nothing of it, like the team lead
(docs/architecture.md, "Intervision"). What an admin needs of a group (its
members, facilitator and supervisor) is on the team page and the teams admin.
"""
