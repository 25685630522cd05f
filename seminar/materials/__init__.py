"""Materials on topics and weeks: slides (PDF or link), code, meeting link, recording."""
