"""Qt item models over engine data (cases, library photos), filled from jobs."""
