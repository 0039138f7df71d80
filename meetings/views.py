"""Views for networks and their meetings, scoped to the person's teams."""
