#include "checkers/probe_result.h"

namespace holdfast::checkers {

const char* toString(Failure f) {
  const char* name = failureName(f);
  return name ? name : "?";
}

}  // namespace holdfast::checkers
