# fazhi 多用户部署的共享工作区（培训人员的 nbgrader 课程目录）。
# `fazhi init` 接管（adopt）本文件而不改写它：课程编号、成绩库与交换方式都在这里。
# 交换区不是共享文件夹，而是 fazhi hub 服务（JupyterHub 令牌认证、服务器时间）。
import os

from fazhi.hub.exchange import configure

_here = os.path.dirname(os.path.abspath(__file__))

c = get_config()  # noqa: F821
c.CourseDirectory.root = _here
c.CourseDirectory.course_id = os.environ.get("FAZHI_COURSE_ID", "fazhi")
c.CourseDirectory.db_url = os.environ.get(
    "FAZHI_GRADEBOOK_URL", "sqlite:///" + os.path.join(_here, "gradebook.db")
)
c.Exchange.timezone = "Asia/Shanghai"
c.ClearSolutions.text_stub = "（请在上方文本框中作答）"
c.ClearSolutions.code_stub = {"python": "# 请在此作答\nraise NotImplementedError()"}
c.ExecutePreprocessor.timeout = 30
# 简答题写在文本框中、保存在答题文件里：评分前先抄入人工评阅单元（fazhi.grading.essay_text）。
c.Autograde.autograde_preprocessors = [
    "fazhi.grading.essay_text.CopyEssayText",
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
configure(c)
