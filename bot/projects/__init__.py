"""The major-project library (重大项目库): projects, their plans, revisions and progress."""
