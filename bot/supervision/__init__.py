"""The supervision loop (督查督办): key tasks, problems for coordination, meeting decisions."""
