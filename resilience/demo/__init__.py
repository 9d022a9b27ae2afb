"""The bundled demo estate."""
