// Public API of @adalora/models: explicit named exports only.
