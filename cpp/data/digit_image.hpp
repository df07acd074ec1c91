// A digit drawn by a learner, prepared the way MNIST prepared its scans (LeCun et al.): the ink's bounding
// box scaled to fit 20x20 keeping its aspect ratio, grey levels kept (area averaging), and the centre of
// mass moved to the centre of the 28x28 image. Without this, a digit drawn large or off-centre looks
// nothing like what the model was trained on.
#pragma once

#include <vector>

namespace mnist_sgd {

// ink is (height, width) row-major, 0 = paper and 1 = full ink. Returns 784 values in [0, 1] in the
// model's pixel order, or an empty vector when there is no ink (or the size is not positive).
std::vector<float> mnist_preprocess(const float* ink, int width, int height);

}  // namespace mnist_sgd
