"""AWS collectors."""
