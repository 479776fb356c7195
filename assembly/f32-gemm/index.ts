// kernels of this folder are re-exported here
