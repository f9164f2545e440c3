"""People: who they are, their dated roles and positions (the records; the pages are lms.people)."""
