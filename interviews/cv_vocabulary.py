"""What a CV summary looks for (interviews.cvs.cv_summarize): known technologies, section headings and
the verbs that describe a project. Data only.

`SKILLS` maps each display name to the other spellings it is found by (English and Korean). Every
spelling matches as a whole word, case-insensitively, except those in `EXACT_CASE`: words that are
also plain English ("go", "swift", "spark") count only when written the way the technology is.
One-letter languages (C, R) are left out: no whole-word rule tells them from initials and grades.
"""

from __future__ import annotations

SKILLS: dict[str, tuple[str, ...]] = {
    # Languages
    "Python": ("파이썬",),
    "Java": ("자바",),
    "JavaScript": ("JS", "ECMAScript", "자바스크립트"),
    "TypeScript": ("타입스크립트",),
    "Go": ("Golang", "고랭"),
    "Rust": ("러스트",),
    "C++": ("cpp",),
    "C#": ("씨샵",),
    "Kotlin": ("코틀린",),
    "Swift": ("스위프트",),
    "Objective-C": ("ObjC",),
    "Ruby": ("루비",),
    "PHP": (),
    "Scala": ("스칼라",),
    "Dart": (),
    "Elixir": (),
    "Erlang": (),
    "Haskell": (),
    "Clojure": (),
    "Perl": (),
    "Lua": (),
    "MATLAB": (),
    "Bash": (),
    "PowerShell": (),
    "SQL": (),
    "HTML": ("HTML5",),
    "CSS": ("CSS3",),
    "Sass": ("SCSS",),
    "Solidity": (),
    "Groovy": (),
    "F#": (),
    # Back end
    "Django": ("장고",),
    "Flask": ("플라스크",),
    "FastAPI": (),
    "Spring": ("스프링",),
    "Spring Boot": ("SpringBoot", "스프링 부트", "스프링부트"),
    "Node.js": ("NodeJS", "Node JS"),
    "Express": ("Express.js", "ExpressJS"),
    "NestJS": ("Nest.js",),
    "Ruby on Rails": ("Rails", "RoR"),
    "Laravel": (),
    "ASP.NET": ("ASP.NET Core",),
    ".NET": (".NET Core", "dotnet"),
    "Hibernate": (),
    "JPA": (),
    "MyBatis": (),
    "Celery": (),
    "gRPC": (),
    "GraphQL": (),
    "Kafka": ("Apache Kafka", "카프카"),
    "RabbitMQ": (),
    "Nginx": ("엔진엑스",),
    "Spark": ("Apache Spark", "PySpark", "스파크"),
    "Hadoop": ("하둡",),
    "Flink": ("Apache Flink",),
    "Airflow": ("Apache Airflow",),
    "Elasticsearch": ("Elastic Search", "엘라스틱서치"),
    "Redis": ("레디스",),
    "Memcached": (),
    "WebSocket": ("WebSockets", "웹소켓"),
    # Front end
    "React": ("React.js", "ReactJS", "리액트"),
    "Vue.js": ("Vue", "VueJS", "Vue3"),
    "Angular": ("AngularJS", "앵귤러"),
    "Svelte": ("SvelteKit",),
    "Next.js": ("NextJS",),
    "Nuxt.js": ("Nuxt", "NuxtJS"),
    "Redux": (),
    "jQuery": ("제이쿼리",),
    "Tailwind CSS": ("Tailwind", "TailwindCSS"),
    "Bootstrap": (),
    "Webpack": ("웹팩",),
    "Vite": (),
    "Jest": (),
    "Cypress": (),
    "Playwright": (),
    "Selenium": ("셀레니움",),
    "Storybook": (),
    "Three.js": ("ThreeJS",),
    "D3.js": ("D3",),
    "Electron": (),
    # Mobile and games
    "Android": ("안드로이드",),
    "iOS": (),
    "Flutter": ("플러터",),
    "React Native": ("ReactNative", "리액트 네이티브"),
    "SwiftUI": (),
    "Jetpack Compose": (),
    "Xamarin": (),
    "Ionic": (),
    "Unity": ("유니티",),
    "Unreal Engine": ("Unreal", "언리얼"),
    # Databases
    "PostgreSQL": ("Postgres", "포스트그레스", "포스트그레SQL"),
    "MySQL": (),
    "MariaDB": (),
    "SQLite": (),
    "Oracle": ("Oracle DB", "오라클"),
    "MongoDB": ("Mongo", "몽고DB", "몽고디비"),
    "Cassandra": (),
    "DynamoDB": (),
    "Neo4j": (),
    "Firebase": ("파이어베이스",),
    "Supabase": (),
    "SQL Server": ("MSSQL", "MS SQL", "Microsoft SQL Server"),
    "BigQuery": (),
    "Snowflake": (),
    "ClickHouse": (),
    "InfluxDB": (),
    # Cloud, infrastructure, tooling
    "AWS": ("Amazon Web Services", "아마존 웹 서비스"),
    "GCP": ("Google Cloud", "Google Cloud Platform", "구글 클라우드"),
    "Azure": ("Microsoft Azure", "애저"),
    "Docker": ("도커",),
    "Kubernetes": ("K8s", "쿠버네티스"),
    "Terraform": ("테라폼",),
    "Ansible": (),
    "Jenkins": ("젠킨스",),
    "GitHub Actions": (),
    "GitLab CI": ("GitLab CI/CD",),
    "CircleCI": (),
    "Git": (),
    "GitHub": ("깃허브",),
    "GitLab": (),
    "Linux": ("리눅스",),
    "Prometheus": ("프로메테우스",),
    "Grafana": ("그라파나",),
    "Helm": (),
    "Argo CD": ("ArgoCD",),
    "EC2": (),
    "S3": (),
    "AWS Lambda": (),
    "Heroku": (),
    "Vercel": (),
    "Cloudflare": (),
    "Datadog": (),
    "Sentry": (),
    # Machine learning and data
    "TensorFlow": ("텐서플로", "텐서플로우"),
    "PyTorch": ("파이토치",),
    "Keras": ("케라스",),
    "scikit-learn": ("sklearn", "scikit learn", "사이킷런"),
    "Pandas": ("판다스",),
    "NumPy": ("넘파이",),
    "SciPy": (),
    "OpenCV": (),
    "Hugging Face": ("HuggingFace", "허깅페이스"),
    "LangChain": ("랭체인",),
    "LlamaIndex": (),
    "XGBoost": (),
    "LightGBM": (),
    "Matplotlib": (),
    "Jupyter": ("Jupyter Notebook",),
    "MLflow": (),
    "Kubeflow": (),
    "spaCy": (),
    "NLTK": (),
    "CUDA": (),
    "ONNX": (),
    "JAX": (),
    "Tableau": (),
    "Power BI": ("PowerBI",),
    # Design and collaboration
    "Figma": ("피그마",),
    "Jira": (),
}

# Spellings that are also ordinary words: matched only exactly as written here.
EXACT_CASE = frozenset(
    {"Go", "Swift", "Spark", "Rust", "Express", "Spring", "Bootstrap", "Electron", "Helm", "Ionic", "Rails"}
    | {"Unreal", "Groovy", "Celery", "Angular", "Flutter", "Unity", "Oracle", "Snowflake", "Sentry", "Jest", "Dart"}
)

# A heading (the whole line, case-insensitive, bullets and a trailing colon aside) opening the part of a
# CV that lists projects or work: its lines are candidate projects until another known heading.
PROJECT_HEADINGS = frozenset(
    {
        "projects", "project", "project experience", "projects experience", "personal projects",
        "side projects", "key projects", "selected projects", "academic projects", "open source",
        "experience", "work experience", "professional experience", "relevant experience",
        "employment", "employment history", "work history", "career",
        "프로젝트", "프로젝트 경험", "프로젝트 경력", "주요 프로젝트", "개인 프로젝트", "팀 프로젝트",
        "사이드 프로젝트", "경력", "경력 사항", "경력사항", "주요 경력", "경험", "업무 경험", "실무 경험",
    }
)  # fmt: skip

# Headings of the other parts of a CV: they close a projects part.
OTHER_HEADINGS = frozenset(
    {
        "skills", "technical skills", "tech stack", "technologies", "education", "certifications",
        "certificates", "awards", "honors", "languages", "contact", "summary", "profile", "about",
        "about me", "objective", "interests", "hobbies", "publications", "references", "activities",
        "volunteering", "courses", "training",
        "기술", "기술 스택", "보유 기술", "보유 기술 스택", "학력", "학력 사항", "자격증", "자격 사항", "수상",
        "수상 경력", "수상 내역", "어학", "외국어", "연락처", "소개", "자기소개", "자기 소개", "활동",
        "대외 활동", "대외활동", "교육", "교육 이수", "관심사", "취미", "인적 사항", "인적사항",
    }
)  # fmt: skip

# Verbs that say a line describes something the candidate made or did (English past tense, as CVs
# write them; Korean verb nouns, which take endings: 개발했습니다, 구축하여, 설계 및 구현).
ACTION_VERBS_EN = (
    "built", "rebuilt", "developed", "implemented", "led", "designed", "redesigned", "created", "launched",
    "architected", "migrated", "optimized", "optimised", "deployed", "shipped", "automated", "refactored",
    "integrated", "engineered", "wrote", "authored", "delivered", "improved", "reduced", "scaled",
    "introduced", "established", "founded", "prototyped", "trained", "fine-tuned", "maintained", "contributed",
)  # fmt: skip
ACTION_VERBS_KO = (
    "개발", "구축", "구현", "설계", "도입", "운영", "주도", "개선", "제작", "리팩토링", "리팩터링",
    "마이그레이션", "최적화", "배포", "자동화", "출시", "담당", "기여",
)  # fmt: skip
