"""A generic, persistent BPMN runtime on SpiffWorkflow.

The engine knows process diagrams, instances, human tasks, audit events and
working-day deadlines. It imports neither ``workflows`` nor ``webapp`` nor
Flask: another organisation could run its own procedures on it unchanged.
"""
