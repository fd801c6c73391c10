"""questionnaire: branching pre-discovery questionnaires that become draft Statements of Work."""
