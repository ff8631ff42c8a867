import { hasRole, useSession } from '../services/session'
import { ErrorView } from './States'

/** The admin centre's pages render only for admins (the backend checks the role again on every call). */
export default function AdminGate({ children }: { children: JSX.Element }) {
  const { me } = useSession()
  if (!hasRole(me, 'admin')) return <ErrorView message='仅平台管理员可以使用管理后台' />
  return children
}
