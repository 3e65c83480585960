"""The portal has no models of its own; this module lets ``PortalConfig`` receive
``post_migrate`` (Django sends it only to apps with a models module)."""
