export function AuthCard(props: { title: string; children: React.ReactNode }) {
  return (
    <main className="auth-page">
      <section className="card">
        <p className="brand">
          SAM <span>Compiler</span>
        </p>
        <h1 className="subtitle" style={{ fontSize: 15, fontWeight: 400 }}>
          {props.title}
        </h1>
        {props.children}
      </section>
    </main>
  );
}
