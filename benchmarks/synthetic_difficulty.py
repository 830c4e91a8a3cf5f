"""How much does frame order matter on the synthetic set?

Trains two small classifiers on the same normalised joints of one test clip (32 frames):
an MLP on the mean pose over frames (order-free) and a temporal CNN over the sequence,
and prints their top-1 on the test split for several seeds of the set.

    python benchmarks/synthetic_difficulty.py [--seeds 0 1 2] [--clips-per-class 80]
"""
import argparse
import os
import tempfile
import time
from typing import Callable, Tuple

import numpy as np
import torch
from torch import nn

from posegraph.datasets import PoseDataset
from posegraph.datasets.synthetic import ACTIONS, write_synthetic
from common import markdown_table, run_main

PIPELINE = [dict(type='SelectPersons', num_person=1), dict(type='PoseNormalize', layout='coco17'),
            dict(type='UniformSampleFrames', clip_len=32, test_mode=True),
            dict(type='FormatStreams', layout='coco17'), dict(type='PackSkeletonInputs')]


def load_split(path: str, split: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """The first person's joints ``(N, T, V, 3)`` and labels ``(N,)`` of a split."""
    dataset = PoseDataset(path, PIPELINE, split=split)
    inputs = torch.stack([dataset[i]['inputs'][0, 0] for i in range(len(dataset))])
    labels = torch.tensor([dataset.get_data_info(i)['label'] for i in range(len(dataset))])
    return inputs, labels


def fit(model: nn.Module, features: Callable[[torch.Tensor], torch.Tensor],
        train: Tuple[torch.Tensor, torch.Tensor], test: Tuple[torch.Tensor, torch.Tensor],
        epochs: int) -> float:
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(model.parameters(), 3e-3, weight_decay=1e-4)
    (x_train, y_train), (x_test, y_test) = train, test
    for _ in range(epochs):
        for batch in torch.randperm(len(x_train)).split(64):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(features(x_train[batch])), y_train[batch])
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        return (model.eval()(features(x_test)).argmax(1) == y_test).float().mean().item()


def compare(path: str) -> Tuple[float, float]:
    """Top-1 of ``(mean-pose MLP, temporal CNN)`` on the test split of the set at ``path``."""
    train, test = load_split(path, 'train'), load_split(path, 'test')
    classes, width = len(ACTIONS), train[0][0].numel() // train[0].shape[1]
    mean_pose = fit(nn.Sequential(nn.Linear(width, 128), nn.ReLU(), nn.Linear(128, classes)),
                    lambda x: x.mean(1).flatten(1), train, test, epochs=150)
    sequence = nn.Sequential(
        nn.Conv1d(width, 64, 5, padding=2), nn.ReLU(),
        nn.Conv1d(64, 64, 5, padding=2, stride=2), nn.ReLU(),
        nn.Conv1d(64, 64, 5, padding=2), nn.ReLU(),
        nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(64, classes))
    sequence_acc = fit(sequence, lambda x: x.flatten(2).transpose(1, 2), train, test, epochs=60)
    return mean_pose, sequence_acc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--clips-per-class', type=int, default=80)
    args = parser.parse_args()
    torch.set_num_threads(2)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for seed in args.seeds:
            path = os.path.join(folder, f'synthetic_{seed}.pkl')
            write_synthetic(path, args.clips_per_class, seed)
            start = time.time()
            rows.append(compare(path))
            print(f'seed {seed}: mean-pose MLP {100 * rows[-1][0]:.1f} %, temporal CNN '
                  f'{100 * rows[-1][1]:.1f} % ({time.time() - start:.0f} s)')
    rows = 100 * np.array(rows)
    print(markdown_table(['model', 'top-1 (spread over seeds)'], [
        [name, f'{rows[:, k].mean():.1f} ± {rows[:, k].std():.1f} %'] for k, name in
        enumerate(['mean-pose MLP (order-free)', 'temporal CNN (sequence)'])]))


if __name__ == '__main__':
    run_main(main)
