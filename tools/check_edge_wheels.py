"""Check that the edge runtime's dependencies (requirements/edge.txt) exist as wheels for
the devices, by resolving them for each device's platform without installing anything.

    python tools/check_edge_wheels.py [--device NAME ...] [--report OUT.json]

Each device is a CPU architecture, a glibc version and a Python version; pip resolves the
requirements for it with --dry-run --only-binary=:all: (no source builds, which a Raspberry
Pi would spend hours on). Exit status 1 if a device cannot be served.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIREMENTS = os.path.join(ROOT, 'requirements', 'edge.txt')
# name: (architecture, glibc (major, minor), Python version, what runs it)
DEVICES = {
    'raspberry-pi-os-bookworm': ('aarch64', (2, 36), '3.11',
                                 'Raspberry Pi 4/5, Raspberry Pi OS 64-bit (Debian 12)'),
    'jetson-jetpack6': ('aarch64', (2, 35), '3.10', 'Jetson Orin, JetPack 6 (Ubuntu 22.04)'),
    'jetson-nano-jetpack4': ('aarch64', (2, 27), '3.10',
                             'Jetson Nano, JetPack 4.6 (Ubuntu 18.04) with a Python 3.10 '
                             'of its own (its system Python is 3.6)'),
}


def platform_tags(architecture: str, glibc: Tuple[int, int]) -> List[str]:
    """Every manylinux tag a system with this glibc installs, newest first."""
    major, minor = glibc
    tags = [f'manylinux_{major}_{m}_{architecture}' for m in range(minor, 16, -1)]
    return tags + [f'manylinux2014_{architecture}']


def resolve(device: str) -> Dict[str, object]:
    """pip's resolution of the edge requirements for ``device``: the wheels it would
    install, or the error that stops it."""
    architecture, glibc, python, _ = DEVICES[device]
    with tempfile.TemporaryDirectory() as folder:
        report = os.path.join(folder, 'report.json')
        command = [sys.executable, '-m', 'pip', 'install', '--dry-run', '--quiet',
                   '--ignore-installed', '--only-binary=:all:', '--implementation', 'cp',
                   '--python-version', python, '--target', os.path.join(folder, 'target'),
                   '--report', report, '-r', REQUIREMENTS]
        for tag in platform_tags(architecture, glibc):
            command += ['--platform', tag]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode:
            lines = [line for line in result.stderr.splitlines() if line.startswith('ERROR')]
            return {'ok': False, 'error': ' '.join(lines) or result.stderr[-500:]}
        with open(report) as f:
            install = json.load(f)['install']
    return {'ok': True, 'wheels': {item['metadata']['name']: os.path.basename(
        item['download_info']['url']) for item in install}}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', nargs='+', choices=sorted(DEVICES), default=sorted(DEVICES),
                        help='devices to resolve the edge wheels for (default: all)')
    parser.add_argument('--report', help='write the resolutions as JSON')
    args = parser.parse_args(argv)
    results, failed = {}, []
    for device in args.device:
        results[device] = resolve(device)
        architecture, glibc, python, what = DEVICES[device]
        print(f'{device} ({what}; {architecture}, glibc {glibc[0]}.{glibc[1]}, '
              f'Python {python}):')
        if results[device]['ok']:
            for wheel in results[device]['wheels'].values():
                print(f'  {wheel}')
        else:
            failed.append(device)
            print(f'  cannot be served: {results[device]["error"]}')
    if args.report:
        with open(args.report, 'w') as f:
            json.dump(results, f, indent=1)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
