namespace FullDbResult.Dashboard;

/// <summary>A dashboard user from configuration: a name, a password hash (<see cref="DashboardPassword.Hash"/>) and a role.</summary>
public sealed class DashboardUser
{
    public string Name { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    /// <summary>The viewer role or the operator role of <see cref="DashboardOptions"/>.</summary>
    public string Role { get; set; } = "";
}
