"""machine_states.py: the blocks of a run split into the machine's fast and slow states."""
import time

import pytest
from machine_states import KEY, REFERENCE, block_times, split_states, state_table


def blocks_of(key_ms):
    return [{KEY: ms, REFERENCE: 1.0, 'steal': 0.0, 'faults': 0.0, 'system': 0.0}
            for ms in key_ms]


def test_states_are_measured_from_the_fastest_tenth_of_the_blocks_not_the_mean():
    # Mostly slow: against the mean, the slow blocks would pass for normal.
    blocks = blocks_of([1.0, 1.1] + [2.5] * 15 + [1.3, 1.5, 1.05])
    states = split_states(blocks, KEY, fast=1.2, slow=1.45)
    assert sorted(b[KEY] for b in states['fast']) == [1.0, 1.05, 1.1]
    assert sorted(b[KEY] for b in states['slow']) == [1.5] + [2.5] * 15   # 1.3 in neither
    with pytest.raises(ValueError, match='fast <= slow'):
        split_states(blocks, KEY, fast=1.5, slow=1.2)


def test_state_table_gives_each_states_median_the_slowdown_and_the_ratio_to_the_reference():
    blocks = blocks_of([1.0, 1.0, 1.0, 3.0, 3.0, 3.0])
    for block in blocks[3:]:
        block[REFERENCE] = 2.0
    blocks[4]['steal'] = 3.0      # one slow block of three: the mean shows it, a median not
    rows = state_table(split_states(blocks, KEY), [KEY, REFERENCE])
    assert rows[0] == ['blocks', 3, 3, '']
    assert rows[1] == [f'{KEY}, ms', '1.00', '3.00', '3.00']
    assert rows[2] == [f'{REFERENCE}, ms', '1.00', '2.00', '2.00']
    assert rows[3] == [f'{KEY} / {REFERENCE}', '1.00', '1.50', '']
    assert rows[4] == ['CPU steal, % (mean)', '0.000', '1.000', '']
    # No slow block: dashes, not an error.
    rows = state_table(split_states(blocks_of([1.0] * 4), KEY), [KEY, REFERENCE])
    assert rows[1] == [f'{KEY}, ms', '1.00', '—', '—']


def test_block_times_time_every_model_on_each_blocks_clips_and_count_the_calls():
    calls = []

    def model(ms):
        def predict(record):
            calls.append((ms, record))
            time.sleep(ms / 1000)
        return predict

    blocks = block_times({KEY: model(4), REFERENCE: model(2)}, list(range(20)), blocks=3,
                         stride=5)
    assert len(blocks) == 3
    assert all(3.5 < b[KEY] < 8 and 1.5 < b[REFERENCE] < 6 for b in blocks)
    assert all(b['steal'] >= 0 and b['faults'] >= 0 and b['system'] >= 0 for b in blocks)
    # Ten warm-up calls each, then block k takes records k, k + 5, ... for both models.
    timed = calls[20:]
    assert [r for ms, r in timed if ms == 4] == [0, 5, 10, 15, 1, 6, 11, 16, 2, 7, 12, 17]
    assert [r for ms, r in timed][:8] == [0, 5, 10, 15, 0, 5, 10, 15]
