#include "cpu/normal_lanes.hpp"
using namespace langevin::device;
void draw1(NormalLanes<16>& l, float* z) { l.draw<1>(z, 1); }
void draw2(NormalLanes<16>& l, float* z) { l.draw<2>(z, 2); }
void draw16(NormalLanes<16>& l, float* z) { l.draw<16>(z, 16); }
