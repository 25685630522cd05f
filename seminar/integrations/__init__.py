"""Where the group already is: its git archive kept in sync both ways, and its chat."""
