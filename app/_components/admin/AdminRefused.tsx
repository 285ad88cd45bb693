/** What a signed-in account that is not an admin sees instead of an admin page (the API answers it 403 admin_only). */
export function AdminRefused() {
  return (
    <main className="workspace">
      <h1>Administrators only</h1>
      <p className="error" role="alert" data-testid="admin-refused">
        This page is for the server&apos;s administrators. An administrator can give your account the role with{" "}
        <code>npm run admin -- grant &lt;username&gt;</code>.
      </p>
    </main>
  );
}
