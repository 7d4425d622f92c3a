"""Writes data/fashion-mnist/: a seeded subset of Fashion-MNIST in its own IDX format (gzip).

Source: the four files of Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist).
    python3 scripts/make_fashion_mnist_subset.py [SOURCE_DIR]
Takes 4000 training and 1000 test images: np.random.seed(0), then the first N of
np.random.permutation of each set, in that order. The gzip headers carry no time stamp, so the
output is the same bytes on every run.
"""
import gzip
import os
import struct
import sys

import numpy as np

TRAIN, TEST = 4000, 1000


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack('>HBB', data[:4])
    assert zero == 0 and dtype == 0x08, path
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write_idx(path, array):
    header = struct.pack('>HBB', 0, 0x08, array.ndim) + struct.pack('>' + 'I' * array.ndim, *array.shape)
    with open(path, 'wb') as raw, gzip.GzipFile(fileobj=raw, mode='wb', mtime=0, filename='') as f:
        f.write(header + array.astype(np.uint8).tobytes())


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/datasets/fashion-mnist'
    out = os.path.join(os.path.dirname(__file__), '..', 'data', 'fashion-mnist')
    os.makedirs(out, exist_ok=True)
    np.random.seed(0)
    for prefix, n in (('train', TRAIN), ('t10k', TEST)):
        images = read_idx(os.path.join(source, prefix + '-images-idx3-ubyte.gz'))
        labels = read_idx(os.path.join(source, prefix + '-labels-idx1-ubyte.gz'))
        pick = np.random.permutation(images.shape[0])[:n]
        write_idx(os.path.join(out, prefix + '-images-idx3-ubyte.gz'), images[pick])
        write_idx(os.path.join(out, prefix + '-labels-idx1-ubyte.gz'), labels[pick])
        print(prefix, images[pick].shape, 'labels per class', np.bincount(labels[pick], minlength=10).tolist())


if __name__ == '__main__':
    main()
