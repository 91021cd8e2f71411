#pragma once
// holdfastctl lint FILE...: loads each node's config (keepalived or holdfast syntax,
// as holdfastd -t reads it; FILE@ID reads a file shared by the nodes as the node whose
// config id is ID reads it: keepalived's @ID lines), runs lintCluster and prints the findings as a
// table or JSON. Exit 0 when nothing is a problem, 1 otherwise (a file that does not load is a
// problem too), 2 for no file.

#include <string>
#include <vector>

#include "tools/lint/cluster_lint.h"

namespace holdfast::lint {

// The table: findings grouped by VRID, problems first, then the counts.
std::string lintText(const std::vector<Finding>& findings);
// {"findings": [{"severity", "group", "kind", "text"}...], "problems": N, "advice": N}
std::string lintJson(const std::vector<Finding>& findings);

int lintCommand(const std::vector<std::string>& files, bool json);

}  // namespace holdfast::lint
