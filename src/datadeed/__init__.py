"""datadeed: turn datasets into assets — register, prove, assess, value, trade and pledge."""

__version__ = "0.1.0"
