"""Work orders (工单): the workflow engine every service request rides on (issue 4)."""
