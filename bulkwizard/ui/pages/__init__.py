"""The wizard's pages, one module each; :data:`PAGES` is the order the user meets them in.

Every page is a :class:`~bulkwizard.ui.pages.base.WizardPage`: a view of the shared draft that
says when it cannot be opened yet (:meth:`blocked_reason`) and when its work is done.
"""
