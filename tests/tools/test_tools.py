from posegraph.io import load_annotations


def test_make_synthetic_tool_writes_set_label_map_and_preview(tmp_path, run_tool):
    out = tmp_path / 'syn' / 'set.pkl'
    preview = tmp_path / 'preview.png'
    result = run_tool('make_synthetic', '--out', out, '--clips-per-class', '5', '--seed', '1',
                      '--preview', preview)
    assert result.returncode == 0, result.stderr
    assert '70 clips, 14 classes' in result.stdout
    assert 'split test:' in result.stdout
    assert len(load_annotations(out, split='train')) == 14 * 3
    assert (out.parent / 'label_map.txt').read_text().split()[0] == 'walk'
    assert preview.stat().st_size > 10_000


def test_make_synthetic_tool_rejects_too_few_clips(tmp_path, run_tool):
    result = run_tool('make_synthetic', '--out', tmp_path / 'x.pkl', '--clips-per-class', '2')
    assert result.returncode != 0 and 'at least 4' in result.stderr
    assert not (tmp_path / 'x.pkl').exists()


def test_make_synthetic_tool_checks_its_folders_before_generating(tmp_path, run_tool):
    (tmp_path / 'f').write_text('')
    result = run_tool('make_synthetic', '--out', tmp_path / 'x.pkl', '--preview',
                      tmp_path / 'f' / 'preview.png')
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: {tmp_path / 'f'}: a file is in the way of the "
                                     'folder for the preview')
    assert 'generating' not in result.stdout + result.stderr
    assert not (tmp_path / 'x.pkl').exists()


def test_publish_model_keeps_weights_and_classes_only(tmp_path, run_tool):
    import torch

    from posegraph.io.checkpoint import load_checkpoint_file
    full = {'state_dict': {'w': torch.ones(3)}, 'optimizer': {'state': {}},
            'message_hub': {}, 'meta': {'dataset_meta': {'classes': ['a', 'b']}, 'epoch': 80}}
    torch.save(full, tmp_path / 'epoch_80.pth')
    result = run_tool('publish_model', tmp_path / 'epoch_80.pth', tmp_path / 'out' / 'm.pth')
    assert result.returncode == 0 and 'sha256' in result.stdout
    published = load_checkpoint_file(tmp_path / 'out' / 'm.pth')
    assert set(published) == {'state_dict', 'meta'}
    assert published['meta']['dataset_meta']['classes'] == ['a', 'b']
    assert torch.equal(published['state_dict']['w'], torch.ones(3))
    # readable by others, as a model meant to be shared must be (not mkstemp's 0600)
    assert (tmp_path / 'out' / 'm.pth').stat().st_mode & 0o044 == 0o044
    result = run_tool('publish_model', tmp_path / 'none.pth', tmp_path / 'x.pth')
    assert result.returncode == 1 and 'none.pth: no such checkpoint' in result.stderr
    (tmp_path / 'notes.pth').write_text('not weights')
    result = run_tool('publish_model', tmp_path / 'notes.pth', tmp_path / 'x.pth')
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert 'notes.pth: does not load as a checkpoint' in result.stderr
    assert not (tmp_path / 'x.pth').exists()
    result = run_tool('publish_model', tmp_path / 'epoch_80.pth', tmp_path / 'notes.pth' / 'm.pth')
    assert result.returncode == 1 and result.stderr.strip() == (
        f"error: {tmp_path / 'notes.pth'}: a file is in the way of the folder for m.pth")
