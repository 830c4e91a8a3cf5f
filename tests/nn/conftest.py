import pytest
import torch


@pytest.fixture(autouse=True)
def seed():
    """Every layer test starts from the same random numbers."""
    torch.manual_seed(0)
